"""paddle_sqz.data"""
