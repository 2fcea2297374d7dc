//! Who the user is (identity) and the team's members.
//! Each form: its fields (opened from the selection), and its save
//! through the app layer (values read by [`FieldId`](super::FieldId)).

use super::{Field, FieldId as F, Form, FormKind, Values, choices};
use crate::app::App;
use crate::model::engagement::{Level, Role};
use crate::tui::effects::{app_refused, engagement, expand_home, refused, saved};
use crate::tui::state::{Effect, Input, State};

impl State {
    pub fn ask_identity(&mut self) {
        self.open_identity();
    }

    pub(crate) fn open_identity(&mut self) -> Option<Effect> {
        // Opens with who you are now (empty for a new user).
        let now = self.identity.clone();
        self.open(Form::new(
            FormKind::Identity,
            ("Who are you?", "您是谁？"),
            vec![
                Field::line(
                    F::Actor,
                    "Id (letters, digits, . - _)",
                    "标识（字母、数字、. - _）",
                    &now.actor,
                )
                .required(),
                Field::line(F::Name, "Name", "姓名", &now.name).required(),
                Field::line(
                    F::Initials,
                    "Initials (prefix your references)",
                    "缩写（用作编号前缀）",
                    &now.initials,
                )
                .required(),
                Field::line(
                    F::Certificate,
                    "Auditor certificate no. (if any)",
                    "审核员证书编号（如有）",
                    &now.certificate,
                ),
                Field::line(
                    F::Key,
                    "Private key that signs (ssh ed25519; Tab completes; empty: unsigned)",
                    "签名私钥（ssh ed25519；Tab 补全；留空则不签名）",
                    &now.key,
                )
                .path(),
            ],
        ))
    }

    pub(crate) fn open_member(&mut self) -> Option<Effect> {
        self.open(Form::new(
            FormKind::Member,
            ("Add a team member", "添加审核组成员"),
            vec![
                Field::line(F::Actor, "Id", "标识", "").required(),
                Field::line(F::Name, "Name", "姓名", "").required(),
                Field::line(F::Initials, "Initials", "缩写", "").required(),
                Field::choice(
                    F::Role,
                    "Role",
                    "角色",
                    // Decision makers and technical reviewers are the programme's.
                    choices(
                        &[
                            Role::Lead,
                            Role::Auditor,
                            Role::TechnicalExpert,
                            Role::Observer,
                            Role::AuditeeContact,
                        ],
                        |r| r.as_str(),
                        |r| r.zh(),
                    ),
                    1,
                ),
                Field::line(F::Certificate, "Auditor certificate no.", "审核员证书编号", ""),
                Field::line(
                    F::Key,
                    "Signing key (ssh .pub file, Tab completes; empty: unchanged)",
                    "签名公钥（ssh .pub 文件，Tab 补全；留空不变）",
                    "",
                )
                .path(),
                Field::choice(
                    F::Level,
                    "Registration level (an intern is not one of the two registered auditors)",
                    "注册级别（实习审查员不计入两名注册审核员）",
                    std::iter::once(super::Choice::new("", "not recorded", "未记录"))
                        .chain(choices(Level::ALL, |l| l.as_str(), |l| l.zh()))
                        .collect(),
                    0,
                ),
            ],
        ))
    }
}

/// Say who you are: the signing key first, then the name, then the certificate.
pub(in crate::tui) fn save_identity(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    // The key first: one that cannot be used changes nothing.
    let key = expand_home(values.get(F::Key));
    if let Err(e) = app.set_identity_key(key.as_deref()) {
        return app_refused(e, lang);
    }
    if let Err(e) = app.set_identity(values.get(F::Actor), values.get(F::Name), values.get(F::Initials)) {
        return app_refused(e, lang);
    }
    if let Err(e) = app.set_certificate(Some(values.get(F::Certificate))) {
        return app_refused(e, lang);
    }
    // The confirmation first (it closes this form), then the next step.
    vec![
        Input::Done(Ok(format!(
            "{} {}",
            lang.pick("You are", "您的身份："),
            app.identity().name
        ))),
        Input::IdentityNow(crate::tui::state::IdentityNow::of(app)),
        Input::IdentitySet(true),
    ]
}

/// Add or edit a team member (and the key that signs their changes).
pub(in crate::tui) fn save_member(app: &mut App, state: &State, values: &Values) -> Vec<Input> {
    let lang = state.lang;
    let Some(eng) = engagement(state) else { return vec![] };
    let role = match values.get(F::Role).parse() {
        Ok(r) => r,
        Err(_) => return refused(lang.pick("choose a role", "请选择角色")),
    };
    let cert = Some(values.get(F::Certificate)).filter(|c| !c.is_empty());
    // A .pub file, or the key's line pasted in.
    let key = match values.get(F::Key).trim() {
        "" => None,
        k if k.starts_with("ssh-") => Some(k.to_string()),
        k => match expand_home(k).map(|p| crate::crypto::sign::read_public(&p)) {
            Some(Ok(pk)) => Some(crate::crypto::sign::openssh_text(&pk)),
            Some(Err(why)) => return refused(crate::text::visible(&why).into_owned()),
            None => None,
        },
    };
    match app.add_member_keyed(
        &eng,
        values.get(F::Actor),
        values.get(F::Name),
        values.get(F::Initials),
        role,
        cert,
        key.as_deref(),
    ) {
        Ok(m) => {
            let level = values.get(F::Level).parse::<Level>().ok();
            if level.is_some()
                && let Err(e) = app.set_registration(&eng, &m.actor, None, level)
            {
                return app_refused(e, lang);
            }
            saved(
                app,
                state,
                &eng,
                format!("{} {}", lang.pick("Team member:", "审核组成员："), m.name),
            )
        }
        Err(e) => app_refused(e, lang),
    }
}
