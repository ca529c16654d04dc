"""Small widgets with no screen of their own: the banner, the stroke list's look, the exercise
picker."""
