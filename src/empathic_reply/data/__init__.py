"""Package data: rules, lexicons, template packs and small models, read with importlib.resources."""
