"""From item records to verdicts: records collected per suite, suite metrics and gates, gate
profiles (and the built-in ones), and the regression gate against a baseline run.
"""
