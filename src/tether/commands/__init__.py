"""One module per verb: each wires the stages together and returns a value to render.

Commands take one options value and return a result; they never print (only `cli` does).
"""
