"""Named entities: the company and regulator registries and matching them in text."""
