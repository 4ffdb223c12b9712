import { Testing } from '../lib/tf';

// Registers cdktf's jest matchers (toHaveResourceWithProperties, ...).
Testing.setupJest();
