//! The CLI's way to ask for a secret: typed on the terminal without echo
//! (the app asks through it; `CSCAUDIT_PASSPHRASE` is read before it).

use age::secrecy::SecretString;
use std::io::Write;

/// A secret typed on the terminal without echo; `None` without a terminal,
/// or on Esc / Ctrl-C.
pub fn ask_on_terminal(prompt: &str) -> Option<SecretString> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{}: ", crate::text::visible(prompt));
    let _ = err.flush();
    crossterm::terminal::enable_raw_mode().ok()?;
    let mut typed = String::new();
    let done = loop {
        use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
        match crossterm::event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break true,
                KeyCode::Esc => break false,
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break false,
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) => typed.push(c),
                _ => {}
            },
            Ok(_) => {}
            Err(_) => break false,
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(err);
    done.then(|| SecretString::from(typed))
}
