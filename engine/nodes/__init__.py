"""Node kinds, each module pairing a node with its runtime state (its activation), the way
viewflow pairs a node with its activation: what happens when the node is entered, acted on,
decided and when its deadline passes."""
