package oidctest

import (
	"html/template"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"
)

var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<title>Test provider: sign in</title>
<form method="post" action="` + LoginPath + `">
<input type="hidden" name="id" value="{{.}}">
<label>Username <input name="username" autofocus></label>
<button type="submit">Sign in</button>
</form>
`))

// login is the provider's login step: GET shows the form for an
// authorization request, POST signs the named user in and sends the
// browser back to op, which answers the client with a code.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("id")
	switch r.Method {
	case http.MethodGet:
		if !p.st.pending(id) {
			http.Error(w, "unknown or finished authorization request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := loginForm.Execute(w, id); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case http.MethodPost:
		if err := p.st.signIn(id, r.PostFormValue("username")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		callback := op.AuthCallbackURL(p.op)(op.ContextWithIssuer(r.Context(), p.Issuer), id)
		http.Redirect(w, r, callback, http.StatusFound)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
