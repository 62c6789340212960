"""One component per file; each owns one part of AMY's infrastructure."""
