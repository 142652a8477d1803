"""``recommend``: from a problem description to output activation, loss, optimizer and hidden
activation, each with its rationale, the rules that chose it and the alternatives."""
