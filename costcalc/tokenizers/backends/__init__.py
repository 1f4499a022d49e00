"""One module per tokenizer library. Each imports its library inside functions, never at module level."""
