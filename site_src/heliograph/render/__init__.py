"""`render`: each module turns (content, now) into `{output path: bytes}` for one kind of output."""
