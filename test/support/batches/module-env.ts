/**
 * Imported by the batch handler tests before they import a function: the environment the
 * functions' modules read when they load (each builds its default handler then). The tests
 * build their own handlers, each with its own config.
 */
process.env.BATCH_TABLE_NAME = 'batches-module-default';
process.env.FAN_OUT_ALLOWED_PIPELINES = 'child-pipeline-1,child-pipeline-2';
