"""HTML for the app's panels, one module per thing shown: pure functions, no gradio.

Everything shown comes from the package's records (Answer, Citation, MatchResult, the library and its chunks);
these modules only lay it out, in Chinese.
"""
