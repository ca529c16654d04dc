"""The training screen: device, controls, live plots, the stroke list, and the session behind it."""
