"""Results of a run: the model, its JSON form, and waivers applied to findings."""
