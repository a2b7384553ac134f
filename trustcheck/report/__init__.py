"""What a run leaves behind: the terminal gate table and summary, gates as pytest results, the
results file and its schema check, the HTML reports and chart, and `trustcheck report` /
`trustcheck compare`.
"""
