halt -f
