shutdown --he
