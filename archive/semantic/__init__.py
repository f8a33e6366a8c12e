"""Search by meaning: a sentence model (:mod:`.model`), the vectors kept beside each transcript
(:mod:`.vectors`), and filling them in for talks that have none yet (:mod:`.fill`)."""
