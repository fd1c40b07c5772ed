"""The demo-district generator behind `jiuzhu synth`: deterministic for a seed, streaming, scaling to millions.

- `district`  — the organisation tree as a pure spec (`build_district_spec`, `allocate_households`) and its
  creation through the org services (`create_district`).
- `generator` — `HouseholdGenerator`: households with members as plain records (`records`), no ORM.
- `economy`   — employment, incomes, assets, expenses, programmes, colours and plans of a household.
- `loader`    — `load_district`: the tree plus bulk inserts with history, one `synth.load` audit entry.
- `parquet`   — `write_parquet`: the same households as Parquet tables, in bounded memory.
"""
