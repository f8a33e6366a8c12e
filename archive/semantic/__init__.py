"""Search by meaning: a sentence model (:mod:`.model`) for the archive's sentences and the same
weights in ONNX Runtime for a reader's query (:mod:`.query_encoder`, reading the model file with
:mod:`.e5_file` and :mod:`.tokenizer`), the vectors kept beside each transcript
(:mod:`.vectors`), and filling them in for talks that have none yet (:mod:`.fill`)."""
