"""hocba."""
