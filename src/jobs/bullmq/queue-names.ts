/**
 * @file Names shared by producers and workers: the BullMQ queue, its key prefix in Redis and the job name. A
 * producer and the workers that serve it must agree on these (override both sides with the same `queueName`).
 */

/** Default BullMQ queue name for caption jobs. */
export const defaultCaptionQueueName = 'vidtok-caption';

/** Key prefix in Redis (keys look like `vidtok:vidtok-caption:wait`). */
export const queueKeyPrefix = 'vidtok';

/** The BullMQ job name of a caption job. */
export const captionJobName = 'caption';
