package gateway

import (
	"encoding/base64"
	"testing"
)

func TestOffsetID(t *testing.T) {
	std := func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }
	const id = "4b1f2c3d-0000-4000-8000-00000000abcd"
	tests := []struct {
		name   string
		token  string
		want   string
		wantOK bool
	}{
		// what kong/db/strategies/postgres/init.lua sends: ngx.encode_base64(cjson.encode({id}), true)
		{name: "Kong on PostgreSQL", token: std(`["` + id + `"]`), want: id, wantOK: true},
		{name: "padded", token: base64.StdEncoding.EncodeToString([]byte(`["` + id + `"]`)), want: id, wantOK: true},
		{name: "upper case", token: std(`["4B1F2C3D-0000-4000-8000-00000000ABCD"]`), want: id, wantOK: true},
		{name: "two keys", token: std(`["` + id + `","` + id + `"]`)},
		{name: "not a uuid", token: std(`["svc-1"]`)},
		{name: "a number", token: std(`[1000]`)},
		{name: "not an array", token: std(`"` + id + `"`)},
		{name: "DB-less", token: "services|" + std("key\x00")},
		{name: "not base64", token: "page-2"},
		{name: "empty", token: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := offsetID(tt.token)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("offsetID(%q) = %q, %v; want %q, %v", tt.token, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRangeTokenIsKongs(t *testing.T) {
	const id = "40000000-0000-0000-0000-000000000000"
	// base64 of ["40000000-0000-0000-0000-000000000000"], unpadded as Kong sends it
	const want = "WyI0MDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXQ"
	if got := (rangePlan{}).token(id); got != want {
		t.Errorf("token(%s) = %s, want %s", id, got, want)
	}
	if got, ok := offsetID(want); !ok || got != id {
		t.Errorf("offsetID(token(%s)) = %q, %v", id, got, ok)
	}
	if got := idString(idNumber(id)); got != id {
		t.Errorf("idString(idNumber(%s)) = %s", id, got)
	}
}
