// Size limits shared by the readers: a field or line longer than this is a dump, not a training sample.

/** Characters of one text field kept; the reader stops collecting a field here and reports its row. */
export const MAX_FIELD_CHARS = 1_000_000;
