//! Colour by meaning: semantic roles mapped to the 16 ANSI colours, or to a monochrome set
//! (reverse, bold, underline) when NO_COLOR is set or the config asks for it.

use crate::domain::Classification;
use crate::domain::warning::Level;
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
    /// Orange warnings: between danger and warning.
    pub orange: Style,
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
            orange: Style::new().fg(Color::LightRed),
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
            orange: plain.add_modifier(Modifier::BOLD),
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

    /// A warning level: red as danger, orange its own, yellow as warning. Without colour:
    /// red bold and underlined, orange bold, yellow underlined.
    pub fn level(&self, l: Level) -> Style {
        if self.mono {
            let m = match l {
                Level::Red => Modifier::BOLD | Modifier::UNDERLINED,
                Level::Orange => Modifier::BOLD,
                Level::Yellow => Modifier::UNDERLINED,
            };
            return Style::new().add_modifier(m);
        }
        match l {
            Level::Red => self.danger,
            Level::Orange => self.orange,
            Level::Yellow => self.warning,
        }
    }

    /// The style of a level the engine reports, plain when none is reached: screens colour
    /// indicators with this and hold no thresholds of their own.
    pub fn reached(&self, level: Option<Level>) -> Style {
        level.map_or(Style::new(), |l| self.level(l))
    }

    /// The ledger's DPD column. Its 30-day cut is still fixed here, not the `dpd` rule in
    /// force: the list has no per-loan level yet (the loan detail uses [`Theme::reached`]).
    pub fn dpd(&self, days: i64) -> Style {
        match days {
            0 => Style::new(),
            1..=30 => self.warning,
            _ => self.danger,
        }
    }
}
