"""The main job: catalog -> evidence -> checks -> results (engine), then every output format,
signatures and the manifest into one output folder (publish), compared with a previous run (compare)."""
