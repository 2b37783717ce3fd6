import { beforeEach } from 'vitest';
import { forgetAccountPacing } from '../../nodes/shared/provider/pacing';

// What one case taught the per-account pacers (a drained bucket, a learnt rate, a 429 hold) must not slow or shape
// the next one: each case starts as a freshly started n8n would. Cases that test sharing run their executions together.
beforeEach(() => forgetAccountPacing());
