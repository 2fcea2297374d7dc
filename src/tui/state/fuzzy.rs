//! Fuzzy matching for the command palette.

/// Fuzzy matching for the palette (nucleo, the matcher helix uses): works on
/// characters, so Chinese descriptions match too.
pub struct Fuzzy {
    pattern: nucleo_matcher::pattern::Pattern,
    matcher: nucleo_matcher::Matcher,
    buf: Vec<char>,
}

impl Fuzzy {
    pub fn new(input: &str) -> Fuzzy {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        Fuzzy {
            pattern: Pattern::parse(input, CaseMatching::Ignore, Normalization::Smart),
            matcher: nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT),
            buf: Vec::new(),
        }
    }
    /// Higher is better; None when the text does not match.
    pub fn score(&mut self, text: &str) -> Option<u32> {
        self.pattern
            .score(nucleo_matcher::Utf32Str::new(text, &mut self.buf), &mut self.matcher)
    }
}
