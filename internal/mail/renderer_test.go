package mail

import "testing"

// TestRenderer_SameAsRender: rendering a notice once for several
// recipients gives each of them exactly what Render gives, for every
// kind, for names that need escaping or cannot take the short way, and
// for recipients in other time zones.
func TestRenderer_SameAsRender(t *testing.T) {
	names := []string{"Eve", "<b>O'Brien & \"Co\"</b> + 1", "Zoë Ødegård", " padded ", "two\nlines", "", "Ann" + nameMark}
	zones := []string{"", "Europe/Berlin", "America/New_York"}
	base := sampleData()
	for _, kind := range Kinds() {
		var r Renderer
		for _, zone := range zones {
			for _, name := range names {
				d := base
				d.RecipientName, d.Zone = name, zone
				want, err := Render(kind, d)
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				got, err := r.Render(kind, d)
				if err != nil {
					t.Fatalf("%s for %q: %v", kind, name, err)
				}
				if got != want {
					t.Errorf("%s for %q in %q differs from Render:\n got %+v\nwant %+v", kind, name, zone, got, want)
				}
			}
		}
		if len(r.done) != len(zones) {
			t.Errorf("%s: rendered %d times for %d zones", kind, len(r.done), len(zones))
		}
	}
}
