"""Answer building: sentences, figures and the numbers a question states."""
