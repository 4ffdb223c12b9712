import { Testing } from '../lib/tf';

// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
Testing.setupJest();

// Agreements, suppressions and drills are judged against a day. Tests pin it, so they do not
// start failing the day an agreement or a suppression of the shipped configuration expires;
// the tests that are about expiry set their own days. Synth outside tests uses the real date.
process.env.MOIT_TODAY ??= '2026-11-27';
