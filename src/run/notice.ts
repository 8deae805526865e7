/**
 * "Not for medical use": the page shows it at all times (header) and every exported file carries it in its metadata
 * (metrics JSON, PEFT adapter config and weights, merged model, results and metrics tables). One place for the words,
 * so the page and the files cannot drift apart; scripts/make_io_golden.py repeats the sentence for its byte-exact
 * adapter fixture (tests/io/peft.test.ts fails if the two differ).
 */

/** The short form: the header's first words, and the value of the `notice` column of exported CSV tables. */
export const NOTICE_SHORT = 'Not for medical use';

/** The full sentence written into every exported file's metadata. */
export const NOT_FOR_MEDICAL_USE =
  'Not for medical use: CXR PEFT Lab is a research and teaching tool; its models and results must not be used to diagnose, screen or treat anyone.';
