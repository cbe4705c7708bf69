/*
 * live_writeback.h — a live session's committed pages sent to the device in
 * a thread of its own while the session goes on, so that the flush finds
 * little left to write.
 *
 * A session's batches commit without a sync; the pages they wrote stay
 * dirty in the page cache until segrt_live_flush() syncs them all at once.
 * After each batch the session kicks the writeback thread, which starts the
 * write-out of the data file's dirty pages (sync_file_range, no wait, no
 * device flush) and sleeps until the next kick. Durability is unchanged:
 * only the flush's fdatasync makes a batch durable, as before.
 *
 * Provides: live_writeback_start(), live_writeback_kick(), live_writeback_stop().
 * Uses: pthreads, sync_file_range (Linux).
 */
#ifndef SEGRT_LIVE_WRITEBACK_H
#define SEGRT_LIVE_WRITEBACK_H

typedef struct live_writeback live_writeback;

/* A writeback thread for the file fd: 0 and *out, or -1 (no memory or no thread) and *out NULL. */
int live_writeback_start(int fd, live_writeback **out);
/* Ask for the file's dirty pages to be written out; returns at once. wb may be NULL. */
void live_writeback_kick(live_writeback *wb);
/*
 * Stop the thread and free wb (NULL is fine). A kick not yet carried out is
 * carried out first; the pause between write-outs is cut short.
 */
void live_writeback_stop(live_writeback *wb);

#endif
