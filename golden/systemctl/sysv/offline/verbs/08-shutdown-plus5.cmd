shutdown +5
