shutdown --show
