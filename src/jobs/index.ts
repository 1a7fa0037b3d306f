/** @file Barrel of the batch-job machinery: local p-queue batches, BullMQ producer/worker, chunk plans, job keys. */
export * from './batch-events.js';
export * from './batch-options.js';
export * from './batch-summary.js';
export * from './caption-job.js';
export * from './caption-processor.js';
export * from './chunk-plan.js';
export * from './done-marker.js';
export * from './duration-option.js';
export * from './input-list.js';
export * from './job-key.js';
export * from './local-batch.js';
export * from './bullmq/producer.js';
export * from './bullmq/queue-names.js';
export * from './bullmq/redis-connection.js';
export * from './bullmq/watchdog.js';
export * from './bullmq/worker.js';
export * from './bullmq/worker-events.js';
