package snapshot

import (
	"maps"
	"strings"
	"testing"
)

func TestManifestMACAuthenticatesTheManifest(t *testing.T) {
	files, err := Write(largeSnapshot(t, 3), WriteOptions{Connection: "prod", Keyring: testRing(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ring := testRing(t, 1)
	mac, ok := ring.ManifestMAC(files)
	if !ok || !strings.HasPrefix(mac, ring.KeyIDs()[0]+":") {
		t.Fatalf("ManifestMAC = %q, %v; want the first key's id, a colon and the MAC", mac, ok)
	}
	if again, _ := ring.ManifestMAC(files); again != mac {
		t.Errorf("the MAC of the same manifest changed: %q then %q", mac, again)
	}
	if !ring.CheckManifestMAC(files, mac) {
		t.Fatal("the MAC of an untouched manifest does not check")
	}
	// After a key rotation (a new key first, the old one kept to decrypt), the old key's MAC still checks.
	if !testRing(t, 2, 1).CheckManifestMAC(files, mac) {
		t.Error("a MAC made with a key the keyring still holds, not first, does not check")
	}

	edited := maps.Clone(files)
	edited[ManifestName] = append([]byte(strings.Replace(string(files[ManifestName]), "prod", "pwnd", 1)), '\n')
	for name, tc := range map[string]struct {
		ring  *Keyring
		files Files
		mac   string
	}{
		"an edited manifest":              {ring, edited, mac},
		"another key":                     {testRing(t, 2), files, mac},
		"no keyring":                      {nil, files, mac},
		"no manifest":                     {ring, Files{"services.yaml": files["services.yaml"]}, mac},
		"no key id":                       {ring, files, strings.SplitN(mac, ":", 2)[1]},
		"a MAC cut short":                 {ring, files, mac[:len(mac)-1]},
		"the key id of another key":       {ring, files, testRing(t, 2).KeyIDs()[0] + mac[strings.Index(mac, ":"):]},
		"an empty MAC":                    {ring, files, ""},
		"the MAC of another key's prefix": {ring, files, ring.KeyIDs()[0] + ":"},
	} {
		if tc.ring.CheckManifestMAC(tc.files, tc.mac) {
			t.Errorf("%s: the MAC checks", name)
		}
	}
	if _, ok := (*Keyring)(nil).ManifestMAC(files); ok {
		t.Error("a nil keyring made a MAC")
	}
	if _, ok := ring.ManifestMAC(Files{"services.yaml": files["services.yaml"]}); ok {
		t.Error("files without a manifest got a MAC")
	}
}
