"""R3 the policy engine: policy packs (local, dated rules as YAML data), the rule language and its compiler.

A rule is written once in a pack and compiled to Ibis expressions; the same compiled program answers for one
household (the window, the API, the citizen self-check) and for the whole population (政策找人, what-if).
"""
