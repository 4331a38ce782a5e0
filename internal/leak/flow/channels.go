package flow

// spawnOf returns the goroutine that performs u, or nil.
func (gs *Goroutines) SpawnOf(u *ChanUse) *Spawn {
	if u.Via != nil {
		if s := gs.ByNode[u.Via]; s != nil && s.Lit == nil {
			return s
		}
	}
	if u.Place.Owner != nil {
		return gs.ByNode[u.Place.Owner]
	}
	return nil
}

// usesWhere returns pointers to the uses that satisfy pred.
func (f *ChanFlow) UsesWhere(pred func(*ChanUse) bool) []*ChanUse {
	var out []*ChanUse
	for i := range f.Uses {
		if pred(&f.Uses[i]) {
			out = append(out, &f.Uses[i])
		}
	}
	return out
}
