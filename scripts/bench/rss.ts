/**
 * Preloaded into a measured child (`node --require dist/scripts/bench/rss.js ...`): when the
 * process exits it appends its peak resident memory (process.resourceUsage().maxRSS, KiB) and the
 * CPU time it used (user + system, ms) as one JSON line to the file named by BENCH_RSS_FILE. The benchmark reads it, so peak memory is known
 * without /usr/bin/time; the child's own code is unchanged.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, code, maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 })}\n`);
  });
}
