/**
 * The one cron module (lib/cron.ts, backed by cron-parser): the five-field schedules of
 * Kubernetes CronJobs and Velero, and the six-field schedules of CloudNativePG.
 */
import { checkFiveFieldCron, checkSixFieldCron, cronIntervalMinutes, fiveFieldOf, parseCron, sixFieldSchedule } from '../lib/cron';

describe('five-field cron', () => {
  it.each([
    ['0 */4 * * *', 240],
    ['15 */12 * * *', 720],
    ['30 3 * * *', 1440],
    ['30 3 * * 0', 10080],
    ['0 9-17 * * MON-FRI', 3840],
    ['0 0 * * 7', 10080],
    ['0 0 1 1 *', 525600],
  ])('measures the longest gap of %s as %d minutes', (schedule, minutes) => {
    expect(checkFiveFieldCron(schedule)).toBeUndefined();
    expect(cronIntervalMinutes(schedule)).toBe(minutes);
  });

  it.each([
    ['0 0 2 * * *', /six-field CloudNativePG schedule/],
    ['61 * * * *', /minute field must be from 0 to 59, and "61" is not/],
    ['0 5-2 * * *', /hour range "5-2" runs backwards/],
    ['0 0 30 2 *', /never fires/],
    ['0 0 * * FUNDAY', /day of week field/],
  ])('refuses %s, saying why', (schedule, message) => {
    expect(checkFiveFieldCron(schedule)).toMatch(message);
  });
});

describe('six-field cron (CloudNativePG)', () => {
  it.each(['0 0 2 * * *', '30 15 */6 * * MON-FRI', '0 0 1 1,15 * ?', '0 0 0 ? JAN-MAR SUN'])('accepts %s', (schedule) => {
    expect(checkSixFieldCron(schedule)).toBeUndefined();
  });

  it.each([
    ['0 2 * * *', /six-field cron schedule, seconds first.*it has 5 fields \(this looks like a Kubernetes CronJob schedule/],
    ['0 0 25 * * *', /the hours field must be from 0 to 23, and "25" is not/],
    ['0 0 2 * 13 *', /the month field must be from 1 to 12 or JAN-DEC, and "13" is not/],
    ['0 0 2 ? * ?', undefined],
    ['0 ? 2 * * *', /the minutes field does not accept "\?"/],
    ['0 */0 2 * * *', /minutes field "\*\/0" has a step that is not a positive whole number/],
    ['0 0 2 L * *', /day of month field "L" uses L, W or #, which robfig\/cron/],
    ['0 0 2 * * 5#2', /day of week field "5#2" uses L, W or #/],
    ['0 0 0 30 2 *', /never fires/],
  ])('checks %s', (schedule, message) => {
    if (message === undefined) expect(checkSixFieldCron(schedule)).toBeUndefined();
    else expect(checkSixFieldCron(schedule)).toMatch(message);
  });

  it('converts between the two formats and reads both the same way', () => {
    expect(sixFieldSchedule('0 1 * * *')).toBe('0 0 1 * * *');
    expect(fiveFieldOf('0 0 1 * * *')).toBe('0 1 * * *');
    const five = parseCron('0 9-17 * * MON-FRI', 'kubernetes');
    const six = parseCron('0 0 9-17 * * MON-FRI', 'cloudnative-pg');
    expect(six).toEqual(five);
    expect(typeof five !== 'string' && [...five.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect(cronIntervalMinutes('0 0 */4 * * *', 'cloudnative-pg')).toBe(240);
  });
});
