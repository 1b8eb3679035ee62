"""Learning from the reviewers: candidate models trained on the shipped data plus reviewers'
feedback, compared with the model in force on the same held-out texts (``candidate``,
``compare``, ``card``), and lexicon suggestions from missed and dismissed findings
(``suggest``). Promotion and rollback are the model registry's (``classify.registry``).
"""
