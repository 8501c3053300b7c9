//! Colour by meaning: semantic roles mapped to the 16 ANSI colours, or to a monochrome set
//! (reverse, bold, underline) when NO_COLOR is set or the config asks for it.

use crate::domain::Classification;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub mono: bool,
    pub bar: Style,
    pub bar_selected: Style,
    pub header: Style,
    pub selected: Style,
    pub muted: Style,
    pub danger: Style,
    pub warning: Style,
    pub ok: Style,
    pub error: Style,
    pub title: Style,
}

impl Theme {
    pub fn colour() -> Theme {
        Theme {
            mono: false,
            bar: Style::new(),
            bar_selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            header: Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            muted: Style::new().fg(Color::DarkGray),
            danger: Style::new().fg(Color::Red),
            warning: Style::new().fg(Color::Yellow),
            ok: Style::new().fg(Color::Green),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            mono: true,
            bar: plain,
            bar_selected: plain.add_modifier(Modifier::REVERSED),
            header: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: plain.add_modifier(Modifier::REVERSED),
            muted: plain,
            danger: plain.add_modifier(Modifier::BOLD),
            warning: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            error: plain.add_modifier(Modifier::BOLD),
            title: plain.add_modifier(Modifier::BOLD),
        }
    }

    /// NO_COLOR (any value) or `display.theme = "mono"` → monochrome.
    pub fn pick(no_color: bool, mono_config: bool) -> Theme {
        if no_color || mono_config {
            Theme::mono()
        } else {
            Theme::colour()
        }
    }

    pub fn class(&self, c: Classification) -> Style {
        match c {
            Classification::Pass => Style::new(),
            Classification::SpecialMention => self.warning,
            _ => self.danger,
        }
    }

    pub fn dpd(&self, days: i64) -> Style {
        match days {
            0 => Style::new(),
            1..=30 => self.warning,
            _ => self.danger,
        }
    }
}
