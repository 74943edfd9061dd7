halt a
