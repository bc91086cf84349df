package api

import (
	"context"

	"github.com/provisio/provisio/internal/app"
)

type createTokenIn struct {
	Body struct {
		Email    string `json:"email" format:"email" doc:"your email address" example:"maria.lopez@harbour-dental.example"`
		Password string `json:"password" doc:"your password" example:"correct horse battery staple"`
		Name     string `json:"name,omitempty" doc:"a label for the token, such as the machine it is for" example:"nightly user export"`
		Code     string `json:"code,omitempty" doc:"authenticator or recovery code, when the account uses MFA (R-PLUS-3)" example:"492817"`
	}
}

func (s *Server) createToken(ctx context.Context, act app.Actor, in *createTokenIn) (*body[Token], error) {
	secret, tok, err := s.app.NewToken(ctx, app.Credentials{Email: in.Body.Email, Password: in.Body.Password,
		Code: in.Body.Code, RemoteAddr: act.RemoteAddr}, in.Body.Name)
	if err != nil {
		return nil, err
	}
	return reply(tokenOut(tok, secret)), nil
}

func (s *Server) listTokens(ctx context.Context, act app.Actor, _ *struct{}) (*body[Page[Token]], error) {
	toks, err := s.app.Tokens(ctx, act)
	if err != nil {
		return nil, err
	}
	out := Page[Token]{Items: make([]Token, len(toks))}
	for i, t := range toks {
		out.Items[i] = tokenOut(t, "")
	}
	return reply(out), nil
}

type idIn struct {
	ID string `path:"id"`
}

func (s *Server) revokeToken(ctx context.Context, act app.Actor, in *idIn) (*struct{}, error) {
	return nil, s.app.RevokeToken(ctx, act, in.ID)
}

// Me is the signed-in user with its organisation.
type Me struct {
	User User `json:"user" doc:"the user the token or session belongs to"`
	Org  Org  `json:"org" doc:"the user's organisation"`
}

func (s *Server) me(_ context.Context, act app.Actor, _ *struct{}) (*body[Me], error) {
	return reply(Me{User: userOut(act.User), Org: orgOut(act.Org)}), nil
}

type acceptIn struct {
	Body struct {
		Token    string `json:"token" doc:"the token from the invitation link (the part after /invitations/)" example:"inv_Iwy6kv9MUdtgNm5IfvazUCmP5pCzzSas53-DgNc-0jA"`
		Password string `json:"password" doc:"the password to set: long enough and not a common one" example:"correct horse battery staple"`
	}
}

func (s *Server) acceptInvitation(ctx context.Context, act app.Actor, in *acceptIn) (*body[User], error) {
	u, err := s.app.AcceptInvitation(ctx, act.RemoteAddr, in.Body.Token, in.Body.Password)
	if err != nil {
		return nil, err
	}
	return reply(userOut(u)), nil
}

type confirmEmailIn struct {
	Body struct {
		Token string `json:"token" doc:"the token from the confirmation link (the part after /email-changes/)" example:"eml_qH3lbyf9XJLlUOdBYRNyNj9ABaZZtZ6dHq3YiBHQ_OE"`
	}
}

func (s *Server) confirmEmail(ctx context.Context, act app.Actor, in *confirmEmailIn) (*body[User], error) {
	u, err := s.app.ConfirmEmailChange(ctx, act, in.Body.Token)
	if err != nil {
		return nil, err
	}
	return reply(userOut(u)), nil
}
