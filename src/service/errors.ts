/** Another writer changed the enrollment since we read it: re-read and replay the turn. */
export class WriteConflict extends Error {
  override name = 'WriteConflict';
}

/** The inbound message id was already processed: the turn is dropped, nothing is sent again. */
export class DuplicateInbound extends Error {
  override name = 'DuplicateInbound';
}
