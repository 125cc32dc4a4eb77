"""The notifications API, one router per resource."""
