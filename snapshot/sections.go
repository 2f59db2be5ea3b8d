package snapshot

import (
	"fmt"
	"sort"
	"strings"
)

// Sections are the names users give to parts of a gateway (`--sections plugins,consumers`, a connection's
// `sections:`). Each is a group of kinds; every kind's own name works too.
var Sections = map[string][]Kind{
	"services":        {KindService, KindRoute},
	"consumers":       {KindConsumer, KindKeyAuth, KindBasicAuth, KindHMACAuth, KindJWT, KindACL, KindOAuth2},
	"credentials":     {KindKeyAuth, KindBasicAuth, KindHMACAuth, KindJWT, KindACL, KindOAuth2},
	"plugins":         {KindPlugin},
	"upstreams":       {KindUpstream, KindTarget},
	"certificates":    {KindCertificate, KindSNI},
	"ca_certificates": {KindCACertificate},
	"vaults":          {KindVault},
	"keys":            {KindKeySet, KindKey},
}

// SectionKinds resolves section and kind names to a set of kinds. No names means every kind.
func SectionKinds(names []string) (map[Kind]bool, error) {
	set := map[Kind]bool{}
	if len(names) == 0 {
		for _, k := range Kinds {
			set[k] = true
		}
		return set, nil
	}
	for _, raw := range names {
		name := strings.TrimSpace(raw)
		if kinds, ok := Sections[name]; ok {
			for _, k := range kinds {
				set[k] = true
			}
			continue
		}
		k, err := ParseKind(name)
		if err != nil {
			var known []string
			for s := range Sections {
				known = append(known, s)
			}
			sort.Strings(known)
			return nil, fmt.Errorf("unknown section %q (sections: %s; or any kind such as routes, targets)",
				name, strings.Join(known, ", "))
		}
		set[k] = true
	}
	return set, nil
}

// Only returns a copy of s holding just the kinds in the set.
func (s *Snapshot) Only(kinds map[Kind]bool) *Snapshot {
	out := &Snapshot{}
	for _, k := range Kinds {
		if !kinds[k] {
			continue
		}
		for _, e := range s.Entities(k) {
			// Add cannot fail: Entities only returns types the snapshot holds.
			_, _ = out.Add(e)
		}
	}
	return out
}
