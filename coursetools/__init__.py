"""coursetools: instructor tooling (build exercises, release, grade). Never imported by students."""
