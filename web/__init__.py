"""The pages' templates and static files, installed as package data beside ``api``."""
